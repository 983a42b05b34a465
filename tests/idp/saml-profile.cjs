// The attribute config that saml-idp `require`s (its --configFile): the object saml.mjs built, passed by
// reference so that its `user` getter survives (saml-idp's argument parser would copy an inline config).
module.exports = globalThis.samlIdpProfile;
