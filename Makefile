# Janus: `make run` serves the API locally on moto; `make test` runs the whole suite.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PORT   ?= 8000

STAGE  ?= dev
STACK  ?= janus-$(STAGE)
FRONTEND_ORIGINS ?= http://localhost:3000
ALARM_EMAIL ?=

.PHONY: run test lint format admin seed bench package packages deploy secret teardown clean

$(STAMP): requirements.txt requirements-dev.txt requirements-analysis.txt requirements-analysis-dev.txt
	@command -v $(PYTHON) >/dev/null || { echo "$(PYTHON) is required"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet 'pip>=24,<26.3'
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

run: $(STAMP)
	PORT=$(PORT) $(BIN)/python -m local.serve

test: $(STAMP) packages
	$(BIN)/python -m ruff check .
	$(BIN)/python -m ruff format --check .
	$(BIN)/python -m mypy
	$(BIN)/cfn-lint infra/resources.json build/dev/sam.json build/prod/sam.json
	$(BIN)/python -m pytest -n 2

# The deployable stacks of both stages (templates + packages), without deploying.
packages: $(STAMP)
	$(BIN)/python infra/package.py --stage dev
	$(BIN)/python infra/package.py --stage prod

package: $(STAMP)
	$(BIN)/python infra/package.py --stage $(STAGE)

# make deploy STAGE=prod ARTIFACT_BUCKET=<an S3 bucket of yours for code> [FRONTEND_ORIGINS=...] [ALARM_EMAIL=...]
deploy: package
	@test -n "$(ARTIFACT_BUCKET)" || { echo "ARTIFACT_BUCKET=<bucket for deployment artefacts> is required"; exit 1; }
	aws cloudformation package --template-file build/$(STAGE)/sam.json --s3-bucket $(ARTIFACT_BUCKET) \
	  --s3-prefix $(STACK) --output-template-file build/$(STAGE)/packaged.yaml
	aws cloudformation deploy --template-file build/$(STAGE)/packaged.yaml --stack-name $(STACK) \
	  --capabilities CAPABILITY_IAM CAPABILITY_AUTO_EXPAND \
	  --parameter-overrides Stage=$(STAGE) "FrontendOrigins=$(FRONTEND_ORIGINS)" "AlarmEmail=$(ALARM_EMAIL)"
	aws cloudformation describe-stacks --stack-name $(STACK) --query "Stacks[0].Outputs" --output table

# One-time per stage: the token signing secret as an SSM SecureString (never in a template).
secret:
	aws ssm put-parameter --name /janus/$(STAGE)/token-secret --type SecureString \
	  --value "$$(python3 -c 'import secrets; print(secrets.token_urlsafe(48))')"

# Removes the functions, API, queues and alarms. Tables and the bucket are retained
# (DeletionPolicy: Retain; prod tables also have deletion protection): delete them by hand.
teardown:
	aws cloudformation delete-stack --stack-name $(STACK)
	aws cloudformation wait stack-delete-complete --stack-name $(STACK)

lint: $(STAMP)
	$(BIN)/python -m ruff check .
	$(BIN)/python -m ruff format --check .
	$(BIN)/python -m mypy
	$(BIN)/cfn-lint infra/resources.json

format: $(STAMP)
	$(BIN)/python -m ruff check --fix .
	$(BIN)/python -m ruff format .

admin: $(STAMP)
	$(BIN)/python -m local.admin create-superadmin

seed: $(STAMP)
	$(BIN)/python -m local.admin seed-demo

bench: $(STAMP)
	$(BIN)/python benchmarks/api_cold_start.py
	$(BIN)/python benchmarks/dynamodb_calls.py
	$(BIN)/python benchmarks/analysis_quality.py
	$(BIN)/python benchmarks/analysis_speed.py
	$(BIN)/python benchmarks/summary_scaling.py 1000 10000

clean:
	rm -rf $(VENV) build .pytest_cache .mypy_cache .ruff_cache
