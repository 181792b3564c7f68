#!/usr/bin/env node
// `npm run api-key -- ID [submit|admin]`: makes a new random API key. Prints the key (give it to
// the client; it is not stored anywhere) and the API_KEYS entry (its SHA-256) for the operator.
'use strict';
const { createHash, randomBytes } = require('node:crypto');
const [id, scope = 'submit'] = process.argv.slice(2);
if (!id || !/^[A-Za-z0-9._-]{1,64}$/.test(id) || !['submit', 'admin'].includes(scope)) {
  console.error('usage: npm run api-key -- ID [submit|admin]');
  process.exit(64);
}
const key = `rbx_${randomBytes(32).toString('base64url')}`;
console.log(`key (for the client):   ${key}`);
console.log(`API_KEYS entry:         ${id}:${scope}:${createHash('sha256').update(key).digest('hex')}`);
