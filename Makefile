.PHONY: run test setup bench checkpoints

setup:
	bash scripts/setup.sh

run:
	bash scripts/run.sh

test:
	bash scripts/test.sh

bench: setup
	.venv/bin/python -m bench $(ARGS)

checkpoints: setup
	.venv/bin/latentlab pretrained regenerate $(NAMES)
