'use strict';
/**
 * A webhook receiver for trying the local bus: listens on http://127.0.0.1:4001/hooks (the URL of the
 * `demo-webhook-public-secret` subscription in subscriptions.json), verifies each delivery's Standard
 * Webhooks signature with the `standardwebhooks` library, prints the event and answers 204.
 *
 *   node examples/receiver/receiver.js            # PORT and WEBHOOK_SECRET override the defaults
 *   FAIL_WITH=500 node examples/receiver/receiver.js   # a broken receiver: answers 500 to everything
 */
const { createServer } = require('node:http');
const { Webhook } = require('standardwebhooks');

// The demo subscription's published secret: fine for a local demo, never for a real webhook.
const secret = process.env.WEBHOOK_SECRET || 'whsec_c3dpdGNoeWFyZC1kZW1vLXNlY3JldCEh';
const port = Number(process.env.PORT || 4001);
const webhook = new Webhook(secret);
// To watch retries, dead letters and redrives: a receiver that answers this status to every delivery.
const failWith = process.env.FAIL_WITH ? Number(process.env.FAIL_WITH) : undefined;

createServer((request, response) => {
  const chunks = [];
  request.on('data', (chunk) => chunks.push(chunk));
  request.on('end', () => {
    const body = Buffer.concat(chunks).toString('utf8');
    if (failWith) {
      console.log(`answered ${failWith} to ${request.headers['webhook-id']} (FAIL_WITH)`);
      response.writeHead(failWith).end();
      return;
    }
    try {
      // Throws unless webhook-signature is a valid HMAC of "{webhook-id}.{webhook-timestamp}.{body}" and the timestamp is recent.
      const event = webhook.verify(body, request.headers);
      console.log(`verified ${event.id}: ${JSON.stringify(event)}`);
      response.writeHead(204).end();
    } catch (error) {
      console.log(`refused a delivery: ${error.message}`);
      response.writeHead(400).end();
    }
  });
}).listen(port, '127.0.0.1', () => console.log(`receiver listening on http://127.0.0.1:${port}/hooks`));
