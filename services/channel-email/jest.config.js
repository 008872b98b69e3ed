module.exports = {
  ...require('../../jest.preset'),
  displayName: 'channel-email',
  rootDir: __dirname,
};
