module.exports = {
  ...require('../../jest.preset'),
  displayName: 'channel-webform',
  rootDir: __dirname,
};
