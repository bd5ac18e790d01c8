# syntax=docker/dockerfile:1

# Build: the full dependency tree (TypeScript lives in devDependencies).
FROM node:20-slim AS build
WORKDIR /app
# scripts/ first: npm ci runs the prepare script (scripts/build.mjs), which
# skips here (no sources yet) and in the deps stage (no TypeScript).
COPY package.json package-lock.json ./
COPY scripts ./scripts
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
RUN npm run build

# Production dependencies only, resolved in their own stage so the runtime
# image never sees the compiler or the test runner.
FROM node:20-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
COPY scripts ./scripts
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

FROM node:20-slim AS runtime
ENV NODE_ENV=production \
    ROLE=all
WORKDIR /app
# package.json is needed at run time: its "type": "module" makes dist/*.js ESM.
COPY --chown=node:node package.json ./
COPY --chown=node:node --from=deps /app/node_modules ./node_modules
COPY --chown=node:node --from=build /app/dist/src ./dist/src
# Embedded mode (no DATABASE_URL) keeps PGlite and the JWT key under ./data.
RUN mkdir -p /app/data && chown node:node /app/data
USER node
EXPOSE 3000
# ROLE = all | api | projector | worker picks what this process runs.
CMD ["node", "--max-old-space-size=192", "--max-semi-space-size=8", "dist/src/main.js"]
