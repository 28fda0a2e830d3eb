// Artillery hooks for Papyrus: keep the auth cookies a login answered with, for the rest of
// that virtual user's flow (each CRUD virtual user signs in itself).
'use strict';

function authCookies(response) {
  const setCookie = [].concat(response.headers['set-cookie'] || []);
  const pairs = setCookie.map((c) => c.split(';')[0]).filter((c) => /^(accessToken|refreshToken)=/.test(c));
  return pairs.length ? pairs.join('; ') : undefined;
}

// A CRUD virtual user's own login: its cookies, and no one else's, sign its requests.
function keepAuthCookies(requestParams, response, context, ee, next) {
  context.vars.authCookie = authCookies(response);
  return next();
}

// The `before` flow's login: only to create the team (the virtual users get the team id).
function keepOwnerCookies(requestParams, response, context, ee, next) {
  context.vars.ownerCookie = authCookies(response);
  return next();
}

module.exports = { keepAuthCookies, keepOwnerCookies };
