// `npm test` runs every project's suite in one jest process; `nx test <project>` runs one.
module.exports = {
  projects: ['<rootDir>/libs/*/jest.config.js', '<rootDir>/services/*/jest.config.js'],
};
