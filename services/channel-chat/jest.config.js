module.exports = {
  ...require('../../jest.preset'),
  displayName: 'channel-chat',
  rootDir: __dirname,
};
