// Patches made by the format version 1 encoder (before version 2 added raw literal blocks and
// per-patch adaptation shifts), kept so that the tests prove a version 2 patcher still applies them.

/** The images the patches below were made from. */
export function makeVersion1Images(): { old: Uint8Array; fresh: Uint8Array } {
  const old = new Uint8Array(6000).map((_, i) => (i * 37 + (i >> 4) * 5) & 0xff);
  const fresh = new Uint8Array(6300);
  fresh.set(old.subarray(0, 2000));
  for (let i = 0; i < 300; i++) fresh[2000 + i] = (i * i * 7 + 3) & 0xff;
  fresh.set(old.subarray(2000), 2300);
  for (let i = 100; i < fresh.length; i += 401) fresh[i] = fresh[i]! ^ 0x24;
  return { old, fresh };
}

export const version1Patches = {
  mcu:
    'VURMVAEAAwIIAAAA8C4AAHAXAACcGAAAUAEAAOzQLxzNs/qqIVl9Yk2H0iX2K8y8wahxi0z/gHwQxaVxOQH1ffyh0fcINEg6' +
    '+ErEVxUioUAlH+ut1DwkAYqwPbb2SG0arT0gVFeh/0pIiRHewNrpEz8YyYScsAOAluORn7Y7qX+pR+gmEa9JBXGjwrV82QoC' +
    'TPSUhMj7t7nsXSxwSQgR5qLvB1D7vh5qW1PRAaguyzH9foDVQYKnEDM8DLVaPF86/7jeAfo4N2akb7wHzrZvPV5y6s0+18xj' +
    '7Cw1dLhQwLqvBG7ncDz/bmiuQwa/OtCreKKjmcEz1zzeXm15XBfduzYm2Bqnv1M033aHwkxVNSAwqWvP5Obu3k0Uq+LXQo5U' +
    '+NOHZ9PvxIZ6FtF8W6lttU2ZOMK11Ti5XBfK8JMoBiuk/jWwjatGEiAlm2y8zprRs882S3SNQeu5WUAQTlEe9W1JJzpARC2U' +
    'QPBrx/BkJugmwQ1SoGs7qxq+PIVb8McJI99olWVcvLTelLC99+lUUopfSubNvx5DLds4wkiYVK6cY20AsfgBYdGDJY4X/Wvd' +
    '4RUQAA==',
  linux:
    'VURMVAEBCAQQAAAA8DMFAHAXAACcGAAATAEAAOzQLxzNs/qqIVl9Yk2H0iX2K8y8wahxi0z/gHwQxaVxOQH1ffyh0fcINEg6' +
    '+ErEVxUioUAlH+ut1DwkAYqwPbb6aPP4QRfMtFeh/0pIiRHewNrpEz8YyYScsAOAjqRRlnGZ1CuVG7Ro5PilNZRpspCSBDiC' +
    '0uep5taxT7Q5dLeYcMP3xhqRwF8HK14dnIQtXQfaDXyxfchgBjw9FKhky9uwowiSN+Hspe91J9nRzgDyzs4SQDuohFPEm+7X' +
    'ozsFVEsQLQeWSGCskk9blvJtm4KmqMcgyEkcnS1fjjCx7MP6+Cu6yoOIyWUICJiGVWdokPSbUPVrnI9RUzwuTRhrEfSX+nUW' +
    'ancPjAVXZNnik3UgLDhLgFHewZK98Mc+1XvZ4DWn+qc5ahW/j4/I9zWoLPWSdCaWiYt36P6qnvcWlp8hXTHB+c/sL1/kO7p/' +
    'TTDWSA6YIIdnsnwzPp9dcYWu+D+LT3tYcvydWjWl3U3WKXvhHT0OqdAWeOW5iDUkDlrqjU0f9b+t1FFyycPbz5RRaV3LQzAA',
};
