// Long fault, concurrency and fuzz tests: npm run test:stress (also run by .ci/run).
export default {
  files: ['test/stress/**/*.test.ts'],
  extensions: { ts: 'module' },
  timeout: '600s',
  workerThreads: false,
  concurrency: 1,
};
