module.exports = {
  ...require('../../jest.preset'),
  displayName: 'attachments',
  rootDir: __dirname,
};
