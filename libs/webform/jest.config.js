module.exports = {
  ...require('../../jest.preset'),
  displayName: 'webform',
  rootDir: __dirname,
};
