module.exports = {
  ...require('../../jest.preset'),
  displayName: 'channel',
  rootDir: __dirname,
};
