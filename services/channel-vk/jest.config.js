module.exports = {
  ...require('../../jest.preset'),
  displayName: 'channel-vk',
  rootDir: __dirname,
};
