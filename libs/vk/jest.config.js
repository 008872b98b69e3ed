module.exports = {
  ...require('../../jest.preset'),
  displayName: 'vk',
  rootDir: __dirname,
};
