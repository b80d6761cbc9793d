/**
 * Used only when no other service has a Dockerfile to copy; otherwise a sibling's is
 * copied with the name substituted, so every service keeps one identical pattern.
 * Built from the repository root: `docker build -f services/<name>/Dockerfile .`
 */
export const fallbackDockerfile = (name: string) => `# syntax=docker/dockerfile:1
FROM node:24-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
COPY platform/package.json platform/
COPY events/package.json events/
COPY services/${name}/package.json services/${name}/
RUN npm ci --omit=dev --workspace @taskoverflow/${name} --include-workspace-root=false

FROM node:24-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=deps /app/node_modules node_modules
COPY package.json ./
COPY platform platform
COPY events events
COPY services/${name} services/${name}
USER node
CMD ["node", "services/${name}/src/main.ts"]
`;
