module.exports = {
  ...require('../../jest.preset'),
  displayName: 'agent-console',
  rootDir: __dirname,
  moduleNameMapper: {
    ...require('../../jest.preset').moduleNameMapper,
    // The browser modules import each other as `./x.js`, as ES modules in a browser must.
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
};
