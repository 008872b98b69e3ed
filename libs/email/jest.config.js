module.exports = {
  ...require('../../jest.preset'),
  displayName: 'email',
  rootDir: __dirname,
};
