// oidc-provider (a devDependency: the test identity provider) ships no types; the tests use a few
// calls only, typed where they are made.
declare module 'oidc-provider';
