module.exports = {
  ...require('../../jest.preset'),
  displayName: 'ticketing',
  rootDir: __dirname,
};
