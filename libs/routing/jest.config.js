module.exports = {
  ...require('../../jest.preset'),
  displayName: 'routing',
  rootDir: __dirname,
};
