module.exports = {
  ...require('../../jest.preset'),
  displayName: 'chat',
  rootDir: __dirname,
};
