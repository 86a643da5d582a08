# Hài Lòng: the API and both front ends in one image.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY . .
RUN npx tap build && npm run build && npm run build:bridge

FROM node:20-bookworm-slim
ENV NODE_ENV=production HOST=0.0.0.0 PORT=3000 DATA_DIR=/data
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --omit=dev --ignore-scripts
# dist/: the built server and commands (dist/server), the serial bridge (dist/bridge), the pages, the PGlite template.
COPY --from=build /app/dist ./dist
# `npm run db:migrate`, `npm run demo` and `npm run rollups:rebuild` in the container run their build through this.
COPY api/commands/built.mjs ./api/commands/built.mjs
VOLUME /data
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s CMD node -e "fetch('http://127.0.0.1:3000/readyz').then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))"
CMD ["node", "dist/server/server.mjs"]
