#!/usr/bin/env node
// The omni CLI. Run it through npm scripts or npx so that the pinned Node 24 is used.
if (!process.version.startsWith('v24.')) {
  console.error(
    `omni needs Node 24 (this is ${process.version}). Run it as "npx omni …" or through npm scripts.`,
  );
  process.exit(1);
}
const { execute, settings } = await import('@oclif/core');
settings.enableAutoTranspile = false;
await execute({ dir: import.meta.url });
