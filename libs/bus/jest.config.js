module.exports = {
  ...require('../../jest.preset'),
  displayName: 'bus',
  rootDir: __dirname,
};
