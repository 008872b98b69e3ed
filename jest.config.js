// `npm test` runs every project's suite in one jest process; `nx test <project>` runs one.
module.exports = {
  projects: [
    '<rootDir>/libs/*/jest.config.js',
    '<rootDir>/services/*/jest.config.js',
    '<rootDir>/deploy/*/jest.config.js',
  ],
  // A global option, which jest does not take from the projects: the same as jest.preset.js.
  testTimeout: require('./jest.preset').testTimeout,
};
