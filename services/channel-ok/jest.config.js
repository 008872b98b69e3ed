module.exports = {
  ...require('../../jest.preset'),
  displayName: 'channel-ok',
  rootDir: __dirname,
};
