/* global module, process */
// mocha's configuration. With test files named on the command line (`npx mocha a.test.ts b.test.ts`)
// only those run; with none (`npm test`, CI) the whole suite does. A `spec` in a plain JSON config
// would be added to the named files, so naming one file would silently run everything.
const named = process.argv
  .slice(2)
  .some(
    (arg) =>
      arg.startsWith('--spec') || (!arg.startsWith('-') && /\.test\.[cm]?[jt]s$|\*/.test(arg)),
  );

module.exports = {
  'node-option': ['import=tsx'],
  'forbid-only': true,
  'forbid-pending': true,
  'fail-zero': true,
  timeout: 30000,
  exit: true,
  ...(named
    ? {}
    : { spec: ['{hub,schemas,transformers,connectors,flows}/**/*.test.ts', 'test/**/*.test.ts'] }),
  require: ['test/support/setup.ts'],
  reporter: './test/support/reporter.js',
};
