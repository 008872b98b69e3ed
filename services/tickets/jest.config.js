module.exports = {
  ...require('../../jest.preset'),
  displayName: 'tickets',
  rootDir: __dirname,
};
