// The baseline for the mock's throughput: a bare node:http server answering fixed JSON.
import http from 'node:http';

const body = JSON.stringify({ retCode: 'SUCCESS', resCode: 'SUCCESS', payOrderId: 'P1', codeUrl: 'weixin://wxpay/bizpayurl?pr=abc', sign: '95B8FCC00D2C8C56816831A6511FA80A' });
const server = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
});
server.keepAliveTimeout = 5000;
server.listen(0, '127.0.0.1', () => process.stdout.write(`${JSON.stringify({ event: 'listening', port: server.address().port })}\n`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
