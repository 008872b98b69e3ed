module.exports = {
  ...require('../../jest.preset'),
  displayName: 'channel-kit',
  rootDir: __dirname,
};
