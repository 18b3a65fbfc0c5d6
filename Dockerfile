# One image for every Aisle service; docker-compose.yml picks the service by command.
# syntax=docker/dockerfile:1

FROM node:22-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY shared ./shared
COPY services ./services
RUN npx tsc -p tsconfig.build.json

FROM node:22-bookworm-slim AS runtime
ENV NODE_ENV=production HOST=0.0.0.0
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
# Migrations, the index template and the ClickHouse DDL are read at start-up; the demo
# catalog's vocabulary when `aisle seed` runs.
COPY infra/postgres ./infra/postgres
COPY infra/search ./infra/search
COPY shared/read-models/search/products.template.json ./shared/read-models/search/products.template.json
COPY shared/read-models/analytics/tables ./shared/read-models/analytics/tables
COPY shared/write-model/seed/catalog-vocabulary.json ./shared/write-model/seed/catalog-vocabulary.json
# The demo storefront's page, script and stylesheet, served by catalog-read at GET /.
COPY services/catalog-read/storefront/public ./services/catalog-read/storefront/public
USER node
CMD ["node", "--enable-source-maps", "dist/services/catalog-read/main.js"]
