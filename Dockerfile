# One image for every role of the scaled-out service (docs/scaling.md, compose.yaml): `social-care run`
# (queue page + elected scheduler) and `social-care worker`.
FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md scheduler.py ./
COPY social_care ./social_care
COPY connectors ./connectors
COPY responders ./responders
RUN pip install --no-cache-dir '.[scale]'
RUN useradd --create-home care
USER care
ENV PYTHONUNBUFFERED=1
EXPOSE 8000
CMD ["social-care", "run", "--host", "0.0.0.0"]
