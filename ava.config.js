// ava 7 runs the TypeScript tests natively (Node 24 type stripping). Stress tests run with npm run test:stress.
export default {
  files: ['test/**/*.test.ts', '!test/stress/**'],
  extensions: { ts: 'module' },
  timeout: '120s',
  workerThreads: false,
  concurrency: 4,
};
