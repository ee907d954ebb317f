# Catalyse in a container, from the install steps of .ci/run (without the test browser).
# NOT BUILT on the machine where it was written (no docker daemon there): build it once before
# relying on it. See docs/deployment.md « Docker ».
FROM python:3.11-slim-bookworm

ENV DEBIAN_FRONTEND=noninteractive PIP_NO_CACHE_DIR=1 HF_HUB_OFFLINE=1 \
    CATALYSE_DATA_DIR=/data CATALYSE_CORPUS_DIR=/opt/catalyse/corpus \
    CATALYSE_MODEL_CACHE=/opt/catalyse/models PATH=/opt/catalyse/.venv/bin:$PATH

# tesseract-ocr + tesseract-ocr-fra: the OCR of scanned PDF pages (as .ci/run installs them)
RUN apt-get update && apt-get install -y --no-install-recommends make tesseract-ocr tesseract-ocr-fra \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /opt/catalyse
COPY pyproject.toml README.md ./
COPY ingest ingest
COPY index index
COPY search search
COPY api api
COPY corpus corpus
# the shipped index of the bundled corpus (index/seed.py finds it beside the code: hence the editable install)
COPY seed seed

# as the Makefile: torch pinned to its CPU build first (an unpinned torch would pull a CUDA build), then the package
RUN python -m venv .venv \
    && .venv/bin/pip install torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu \
    && .venv/bin/pip install -e .
# the bundled model converted once, at build time, rather than at each container's first start
RUN .venv/bin/python -c "from ingest.embedder import default_model_path; from ingest.settings import Settings; default_model_path(Settings().model_cache)"

RUN useradd --system --home /data catalyse && mkdir -p /data && chown catalyse:catalyse /data
USER catalyse
VOLUME /data
EXPOSE 8000
HEALTHCHECK --interval=30s --start-period=300s CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health')"
CMD ["catalyse", "serve", "--host", "0.0.0.0", "--port", "8000"]
