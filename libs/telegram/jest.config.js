module.exports = {
  ...require('../../jest.preset'),
  displayName: 'telegram',
  rootDir: __dirname,
};
