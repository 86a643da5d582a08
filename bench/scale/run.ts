// `npm run bench -- scale`: bytes per million ratings with rollups (bench/scale/size.ts; its options after `--`).
await import('./size.ts')
