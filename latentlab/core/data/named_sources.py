# ruff: noqa: E501
"""The standard datasets' files, URLs and MD5s, as torchvision 0.29 declares them.

Copied here so that opening a standard set does not import torchvision (about 1.5 s and 160 MB of
memory, for two tables); tests/core/test_data_named.py checks that this copy still matches torchvision."""

from __future__ import annotations

# set name -> ((file name, URL, rough size), ...)
FILES: dict[str, tuple[tuple[str, str, str], ...]] = {
    'mnist': (
        ('train-images-idx3-ubyte.gz', 'https://ossci-datasets.s3.amazonaws.com/mnist/train-images-idx3-ubyte.gz', '12 MB'),
        ('train-labels-idx1-ubyte.gz', 'https://ossci-datasets.s3.amazonaws.com/mnist/train-labels-idx1-ubyte.gz', '12 MB'),
        ('t10k-images-idx3-ubyte.gz', 'https://ossci-datasets.s3.amazonaws.com/mnist/t10k-images-idx3-ubyte.gz', '12 MB'),
        ('t10k-labels-idx1-ubyte.gz', 'https://ossci-datasets.s3.amazonaws.com/mnist/t10k-labels-idx1-ubyte.gz', '12 MB'),
    ),
    'fashion-mnist': (
        ('train-images-idx3-ubyte.gz', 'http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/train-images-idx3-ubyte.gz', '31 MB'),
        ('train-labels-idx1-ubyte.gz', 'http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/train-labels-idx1-ubyte.gz', '31 MB'),
        ('t10k-images-idx3-ubyte.gz', 'http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/t10k-images-idx3-ubyte.gz', '31 MB'),
        ('t10k-labels-idx1-ubyte.gz', 'http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/t10k-labels-idx1-ubyte.gz', '31 MB'),
    ),
    'kmnist': (
        ('train-images-idx3-ubyte.gz', 'http://codh.rois.ac.jp/kmnist/dataset/kmnist/train-images-idx3-ubyte.gz', '20 MB'),
        ('train-labels-idx1-ubyte.gz', 'http://codh.rois.ac.jp/kmnist/dataset/kmnist/train-labels-idx1-ubyte.gz', '20 MB'),
        ('t10k-images-idx3-ubyte.gz', 'http://codh.rois.ac.jp/kmnist/dataset/kmnist/t10k-images-idx3-ubyte.gz', '20 MB'),
        ('t10k-labels-idx1-ubyte.gz', 'http://codh.rois.ac.jp/kmnist/dataset/kmnist/t10k-labels-idx1-ubyte.gz', '20 MB'),
    ),
    'emnist-letters': (
        ('gzip.zip', 'https://biometrics.nist.gov/cs_links/EMNIST/gzip.zip', '562 MB'),
    ),
    'cifar10': (
        ('cifar-10-python.tar.gz', 'https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz', '170 MB'),
    ),
    'svhn': (
        ('train_32x32.mat', 'http://ufldl.stanford.edu/housenumbers/train_32x32.mat', '182 MB'),
        ('test_32x32.mat', 'http://ufldl.stanford.edu/housenumbers/test_32x32.mat', '64 MB'),
    ),
    'celeba': (
        ('img_align_celeba.zip', 'gdrive:0B7EVK8r0v71pZjFTYXZWM3FlRnM', '1.4 GB'),
        ('list_eval_partition.txt', 'gdrive:0B7EVK8r0v71pY0NSMzRuSXJEVkk', '2 MB'),
    ),
}

# "set/file" -> MD5
MD5: dict[str, str] = {
    'mnist/train-images-idx3-ubyte.gz': 'f68b3c2dcbeaaa9fbdd348bbdeb94873',
    'mnist/train-labels-idx1-ubyte.gz': 'd53e105ee54ea40749a09fcbcd1e9432',
    'mnist/t10k-images-idx3-ubyte.gz': '9fb629c4189551a2d022fa330f9573f3',
    'mnist/t10k-labels-idx1-ubyte.gz': 'ec29112dd5afa0611ce80d1b7f02629c',
    'fashion-mnist/train-images-idx3-ubyte.gz': '8d4fb7e6c68d591d4c3dfef9ec88bf0d',
    'fashion-mnist/train-labels-idx1-ubyte.gz': '25c81989df183df01b3e8a0aad5dffbe',
    'fashion-mnist/t10k-images-idx3-ubyte.gz': 'bef4ecab320f06d8554ea6380940ec79',
    'fashion-mnist/t10k-labels-idx1-ubyte.gz': 'bb300cfdad3c16e7a12a480ee83cd310',
    'kmnist/train-images-idx3-ubyte.gz': 'bdb82020997e1d708af4cf47b453dcf7',
    'kmnist/train-labels-idx1-ubyte.gz': 'e144d726b3acfaa3e44228e80efcd344',
    'kmnist/t10k-images-idx3-ubyte.gz': '5c965bf0a639b31b8f53240b1b52f4d7',
    'kmnist/t10k-labels-idx1-ubyte.gz': '7320c461ea6c1c855c0b718fb2a4b134',
    'emnist-letters/gzip.zip': '58c8d27c78d21e728a6bc7b3cc06412e',
    'cifar10/cifar-10-python.tar.gz': 'c58f30108f718f92721af3b95e74349a',
    'cifar10/cifar-10-batches-py/data_batch_1': 'c99cafc152244af753f735de768cd75f',
    'cifar10/cifar-10-batches-py/data_batch_2': 'd4bba439e000b95fd0a9bffe97cbabec',
    'cifar10/cifar-10-batches-py/data_batch_3': '54ebc095f3ab1f0389bbae665268c751',
    'cifar10/cifar-10-batches-py/data_batch_4': '634d18415352ddfa80567beed471001a',
    'cifar10/cifar-10-batches-py/data_batch_5': '482c414d41f54cd18b22e5b47cb7c3cb',
    'cifar10/cifar-10-batches-py/test_batch': '40351d587109b95175f43aff81a1287e',
    'svhn/train_32x32.mat': 'e26dedcc434d2e4c54c9b2d4a06d8373',
    'svhn/test_32x32.mat': 'eb5a983be6a315427106f1b164d9cef3',
    'celeba/img_align_celeba.zip': '00d2c5bc6d35e252742224ab0c1e8fcb',
    'celeba/list_eval_partition.txt': 'd32c9cbf5e040fd4025c592c306e6668',
}
