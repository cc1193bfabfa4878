"""The pure PyTorch core: models, kernels, MMD, data, training and checkpoints (no Qt)."""
