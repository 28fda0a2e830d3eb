// Artillery hooks for Papyrus: carry the sign-in cookies of the `before` flow to every
// virtual user (one login for the whole run, as k6's setup() does).
'use strict';

function keepAuthCookies(requestParams, response, context, ee, next) {
  const setCookie = [].concat(response.headers['set-cookie'] || []);
  const pairs = setCookie.map((c) => c.split(';')[0]).filter((c) => /^(accessToken|refreshToken)=/.test(c));
  if (pairs.length) context.vars.authCookie = pairs.join('; ');
  return next();
}

module.exports = { keepAuthCookies };
