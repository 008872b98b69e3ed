module.exports = {
  ...require('../../jest.preset'),
  displayName: 'ok',
  rootDir: __dirname,
};
