module.exports = {
  ...require('../../jest.preset'),
  displayName: 'k8s',
  rootDir: __dirname,
};
