module.exports = {
  ...require('../../jest.preset'),
  displayName: 'planning',
  rootDir: __dirname,
};
