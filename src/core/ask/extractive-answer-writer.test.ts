import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SearchHit } from '../model/types.js';
import { answerType, hasNumber, hasReason, hasTime, hasValue } from './answer-signals.js';
import { ExtractiveAnswerWriter, NOT_FOUND_ANSWER, scoreSentences } from './extractive-answer-writer.js';

const hit = (text: string, page = 1): SearchHit => ({
  chunk: { id: `m:${page}:0`, manualId: 'm', ownerId: 'u', pageNumber: page, pageLabel: null, heading: null, text, ordinal: page },
  manualName: 'Manual',
  score: 0.8,
});

const writer = new ExtractiveAnswerWriter();

describe('ExtractiveAnswerWriter', () => {
  it('answers a "which port" question with the sentence holding the value, citing its passage', async () => {
    const passages = [
      hit(
        'To add an antenna rotator, open the Interfaces settings and click Add. Rigctld and rotctld act as TCP/IP servers. ' +
          'The default port is 4532 for rigctld and 4533 for rotctld. You can change the host name too.',
      ),
    ];
    const { answer, cited } = await writer.write('Which port should I enter for rotctld when adding my antenna rotator?', passages);
    assert.match(answer, /4533 for rotctld/);
    assert.match(answer, /\[1\]$/);
    assert.deepEqual(cited, [0]);
  });

  it('reads a box label with the text it introduces ("Note" / "USB drivers…" as "Note: USB drivers…")', async () => {
    const text = 'The port value names the serial device, for example /dev/ttyS0.\nNote\nUSB drivers such as usbhid-ups ignore the port value; set port to auto.';
    const { answer } = await writer.write('What port value do USB drivers need?', [hit(text)]);
    assert.match(answer, /Note: USB drivers such as usbhid-ups ignore the port value; set port to auto\./);
    assert.doesNotMatch(answer, /(^|\n)Note\n/);
  });

  it('keeps a list introduced by the chosen sentence intact, one item per line', async () => {
    const text = '5.3.3 Port Forwarding\nIf your box is behind a router, you should forward the following ports for the TURN server:\n• UDP 3478\n• TCP 3478\n• UDP 49152-50175';
    const { answer } = await writer.write('Which ports do I forward on my router for the TURN server?', [hit(text)]);
    assert.equal(answer, 'If your box is behind a router, you should forward the following ports for the TURN server:\n• UDP 3478\n• TCP 3478\n• UDP 49152-50175 [1]');
  });

  it('quotes a table announced by a ":" whole, from its header row, one row per line', async () => {
    const text =
      '• Problem: I want to use my AVRISP mkII to program an ATtiny10 through TPI. How to connect the pins?\n' +
      'Solution: Use the following pin mapping:\n' +
      'AVRISP Target ATtiny connector pins pin #\n' +
      '1 (SDI) TPIDATA 1\n2 (VTref) Vcc 5\n3 (SCK) TPICLK 3\n4 (SDO)\n5 (RESET) /RESET 6\n6 (GND) GND 2\n' +
      '• Problem: My programmer cannot talk to the chip. Solution: Check the cable.';
    const { answer } = await writer.write('Which AVRISP connector pins go to which ATtiny target pins?', [hit(text)]);
    assert.match(answer, /AVRISP Target ATtiny connector pins pin #\n1 \(SDI\) TPIDATA 1\n2 \(VTref\) Vcc 5\n3 \(SCK\) TPICLK 3\n4 \(SDO\)\n5 \(RESET\) \/RESET 6\n6 \(GND\) GND 2/);
  });

  it('puts an option\'s name on its own line above its description, as the manual does', async () => {
    const text = 'persist switch\nTell BIRD to leave all its routes in the routing tables when it exits (instead of cleaning them up).\nscan time number\nTime in seconds between two scans of the kernel routing table.';
    const { answer } = await writer.write('How do I make BIRD leave its routes in the routing tables when it exits?', [hit(text)]);
    assert.match(answer, /^persist switch\nTell BIRD to leave all its routes/);
  });

  it("names the option when the excerpt opens its section: an unnumbered title is the option's name", async () => {
    const text =
      'Printing Direction\nMost inkjet printers can print either unidirectionally or bidirectionally. ' +
      'On many printers, however, unidirectional printing produces better quality output than bidirectional printing.';
    const { answer } = await writer.write('Can I make my inkjet print more slowly but with better quality?', [hit(text)]);
    assert.match(answer, /^Printing Direction\nMost inkjet printers/);
  });

  it('leaves a numbered section title out: the question already named the chapter', async () => {
    const text = '7.2 Printing Direction\nMost inkjet printers can print either unidirectionally or bidirectionally.';
    const { answer } = await writer.write('Can my inkjet print unidirectionally?', [hit(text)]);
    assert.doesNotMatch(answer, /7\.2/);
  });

  it('runs on from the problem statement to the fix for a how-to question', async () => {
    const text =
      'The network manager uses a random identity when scanning for Wi-Fi networks. Some routers reject connections from such devices. ' +
      'Your connection will drop right after activating. If you control the router, you could change its behaviour there. ' +
      'Otherwise edit /etc/NetworkManager/NetworkManager.conf and add the line wifi.scan-rand-mac-address=no in the device section.';
    const { answer } = await writer.write('My router rejects the Wi-Fi connection right after activating. How do I fix it?', [hit(text)]);
    assert.match(answer, /wifi\.scan-rand-mac-address=no/);
  });

  it('keeps document order, cites every passage it used, and leaves headings out', async () => {
    const passages = [hit('2.1 Reset\nHold the reset button for ten seconds to restore the factory settings.', 4), hit('The reset button is behind the small hole on the back panel.', 9)];
    const { answer, cited } = await writer.write('Where is the reset button and how long do I hold it?', passages);
    assert.doesNotMatch(answer, /2\.1 Reset/);
    assert.match(answer, /ten seconds/);
    for (const i of cited) assert.ok(i >= 0 && i < passages.length);
    const markers = [...answer.matchAll(/\[(\d)\]/g)].map((m) => Number(m[1]) - 1);
    assert.deepEqual(markers, [...cited].sort());
  });

  it('names the option a matching description explains (the term line before it), verbatim', async () => {
    const text =
      'scan time number\nTime in seconds between two consecutive scans of the interface list.\n' +
      'persist switch\nTell BIRD to leave all its routes in the routing tables when it exits (instead of cleaning them up).\n' +
      'learn switch\nEnable learning of entries added by other daemons.';
    const { answer } = await writer.write('How do I make BIRD leave its routes in the routing tables when it exits?', [hit(text)]);
    assert.match(answer, /persist switch\sTell BIRD to leave all its routes/);
    assert.doesNotMatch(answer, /learn switch/);
  });

  it('adds the config line holding the value when the matching sentence has none', async () => {
    // The value sits on the line before the sentence that matches, which the excerpt does not run back to.
    const text =
      'Example for a host with two networks:\nLISTEN 192.168.1.10 3493\nPut one such line per address.\n' +
      'Without such lines in upsd.conf the data server answers only on the local machine, so other computers cannot reach it. ' +
      'Both files are readable by the nut group only. The server reads them when it starts.';
    const { answer } = await writer.write('How do I make the data server reachable from other computers?', [hit(text)]);
    assert.match(answer, /LISTEN 192\.168\.1\.10 3493/);
  });

  it('keeps the lines a sentence ending in ":" announces, after a parenthetical remark that is no option name', async () => {
    const text =
      '1. The box manages the network with NetworkManager. If you configured interfaces by editing /etc/network/interfaces, the box will not manage them. ' +
      '(See bug #797614.) To let the box manage your network interfaces, edit /etc/network/interfaces and ensure that it contains only the following:\n' +
      'auto lo iface lo inet loopback\nThen reboot.';
    const { answer } = await writer.write('What should the interfaces file contain so that the box manages my network?', [hit(text)]);
    assert.match(answer, /contains only the following:\s+auto lo iface lo inet loopback/);
  });

  it('keeps a config line a sentence runs on into, though it looks like a title', async () => {
    const text =
      'To collect more detail for a bug report, edit /etc/spoold/spoold.conf as root. Change the following line from:\n' +
      'TraceLevel Normal to\nTraceLevel Verbose\nThe daemon then writes every request to its log. Restart it afterwards.';
    const { answer } = await writer.write('The print daemon logs too little for a bug report. How do I get more detail?', [hit(text)]);
    assert.match(answer, /TraceLevel Normal to\sTraceLevel Verbose/);
  });

  it('weighs question words by how common they are in every retrieved passage, not only in those it answers from', () => {
    const answerFrom = [hit('The pump and its valve are made of stainless steel.', 1), hit('Cleaning: the gasket wears out after about a year of use.', 2)];
    const retrieved = [
      ...answerFrom,
      hit(Array.from({ length: 12 }, (_, i) => `The pump valve is shown in figure ${i + 1}.`).join(' '), 3),
      hit('Replace the pump valve cover first. Never run the pump with the valve open.', 4),
    ];
    const [[steel], [gasket]] = scoreSentences('Tell me about the pump valve gasket.', answerFrom, retrieved);
    // "pump" and "valve" are everywhere in what was retrieved: the rare "gasket" tells more.
    assert.ok(gasket!.score > steel!.score, `${gasket!.score} > ${steel!.score}`);
  });

  it("reads a table row with its header's words and quotes the table with it, one row per line", async () => {
    const text =
      'When the tool is installed from the ports system, its configuration file is always /usr/local/etc/tool.conf.\n' +
      'The parallel and serial port device file names are system specific. MacOS has no default serial or parallel port names.\n' +
      'The following table lists the default names for a given system. System Default Parallel Port Default Serial Port\n' +
      'FreeBSD /dev/ppi0 /dev/cuad0\nLinux /dev/parport0 /dev/ttyS0\nSolaris /dev/printers/0 /dev/term/a\n' +
      'On FreeBSD systems, the tool uses the ppi(4) interface for the parallel port and the sio(4) driver for serial port access.\n' +
      'On Linux systems, the tool uses the ppdev interface for the parallel port and the tty driver for serial port access.';
    const { answer } = await writer.write('Which serial port does the tool use on Linux if I do not give one?', [hit(text)]);
    // The Linux row never says "serial port": its header does. Alone it would misquote the table.
    assert.match(answer, /System Default Parallel Port Default Serial Port\nFreeBSD \/dev\/ppi0 \/dev\/cuad0\nLinux \/dev\/parport0 \/dev\/ttyS0\nSolaris /);
  });

  it('quotes a table too long for the answer from its header and the matching row on', async () => {
    const rows = Array.from({ length: 40 }, (_, i) => `Model${i} ${i === 30 ? 'rotator' : 'radio'} port ${4500 + i}`);
    const text = `Each supported device listens on its own port.\nDevice Kind Default TCP Port\n${rows.join('\n')}\nAll ports can be changed.`;
    const { answer } = await writer.write('Which TCP port does the Model30 rotator listen on by default?', [hit(text)]);
    assert.match(answer, /^Device Kind Default TCP Port\nModel30 rotator port 4530\nModel31 radio port 4531\n/m);
    assert.doesNotMatch(answer, /Model29/);
  });

  it('never ends an excerpt between a goal and the "To do so, …" sentence that says how', async () => {
    const text =
      'Testing shutdowns\nYou should test the shutdown sequence on your systems before leaving them unattended. ' +
      'A successful power-off sequence is one where your machines halt before the battery runs out, and restart when the power returns.\n' +
      'The first step is to see how the controller will behave without actually turning off the power. To do so, use the -t argument: ctl -t shutdown\n' +
      'It will display the sequence without actually calling the drivers.\nYou can finally test a forced shutdown sequence using:\nmon -c fsd\n' +
      'This will execute a full shutdown sequence. If everything works correctly, the computer will be forcibly powered off, may remain off for a few minutes, then will power on again.';
    const { answer } = await writer.write('How can I try out the power-off sequence without actually cutting the power to my machines?', [hit(text)]);
    assert.match(answer, /without actually turning off the power\. To do so, use the -t argument: ctl -t shutdown/);
  });

  it('quotes the lines that run on into a quoted line: "change the line from: A to B", not "B" alone', async () => {
    const text =
      'If you are using the spooler, enable debugging output. This can be done by editing /etc/spool/spool.conf (as root).\n' +
      'Change the following line from:\nLogLevel Info to\nLogLevel Debug\n' +
      'This will allow the spooler to produce extensive debugging output.\nYou will need to restart the spooler after doing this.\n' +
      'If you report a problem to the printing team, you will be asked for this log.';
    const { answer } = await writer.write('I need the spooler to log a lot more detail so I can report a printing problem. What do I change?', [hit(text)]);
    assert.match(answer, /Change the following line from:\nLogLevel Info to\nLogLevel Debug/);
  });

  it('says so when nothing in the passages relates to the question', async () => {
    assert.deepEqual(await writer.write('How do I bake bread?', [hit('Forward UDP ports on the router.')]), { answer: NOT_FOUND_ANSWER, cited: [] });
    assert.deepEqual(await writer.write('Which port?', []), { answer: NOT_FOUND_ANSWER, cited: [] });
  });
});

describe('answerType', () => {
  it('reads the expected answer from the wording', () => {
    assert.deepEqual(answerType('Which port should I enter?').focus, ['port']);
    assert.deepEqual(answerType('What is the default password of the access point?').focus, ['default', 'password']);
    assert.deepEqual(answerType('What should I change in the file?').focus, []);
    assert.equal(answerType('How long does it wait before giving up?').wantsTime, true);
    assert.equal(answerType('How much memory does it need?').wantsQuantity, true);
    assert.equal(answerType('How do I turn the snapshot feature back on?').wantsAction, true);
    assert.equal(answerType('Why is AC preferred over DC?').wantsReason, true);
    assert.equal(answerType('Every job stops early. What is causing this?').wantsReason, true);
  });
});

describe('answer shapes', () => {
  it('reads a duration whose number stands apart from its unit', () => {
    assert.equal(hasTime('wait GRACETIME seconds — typically 10'), true);
    assert.equal(hasTime('8. The controller then waits for the clients.'), false);
  });

  it("does not take a list item's number or a manual page's section for a value", () => {
    assert.equal(hasValue('8. init then runs your shutdown script.'), false);
    assert.equal(hasNumber('3.5) escputil is a command line utility'), false);
    assert.equal(hasValue('It uses the ppi(4) interface for the parallel port.'), false);
    assert.equal(hasValue('The default is /dev/ttyS0.'), true);
    assert.equal(hasNumber('8. Wait 30 seconds.'), true);
  });

  it('reads a cause stated as a result', () => {
    assert.equal(hasReason('The old driver has a flaw that results in the last block never being sent.'), true);
  });
});
