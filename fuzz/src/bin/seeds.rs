//! Writes the seed corpora of the fuzz targets, from the golden vectors
//! (`shared/vectors`) and the configuration templates (`dist/`):
//!
//! ```text
//! seeds <vectors dir> <repository dir> <corpus dir>
//! ```
//!
//! One directory per target under the corpus directory; a few hundred
//! small files at most. Existing files are overwritten, others kept.

use fuzz_support::push_record;
use std::fs;
use std::path::{Path, PathBuf};

/// Requests per multi-message seed.
const CHUNK: usize = 24;

struct Corpus {
    dir: PathBuf,
    written: usize,
}

impl Corpus {
    fn put(&mut self, target: &str, name: &str, bytes: &[u8]) {
        let dir = self.dir.join(target);
        fs::create_dir_all(&dir).expect("corpus directory");
        fs::write(dir.join(format!("seed-{name}")), bytes).expect("seed file");
        self.written += 1;
    }
}

/// The string value of `"key": "..."` in a JSON line (our vectors hold no
/// escaped quotes in the fields read here).
fn field<'a>(line: &'a str, key: &str) -> Option<&'a str> {
    let pat = format!("\"{key}\": \"");
    let at = line.find(&pat)? + pat.len();
    let len = line[at..].find('"')?;
    Some(&line[at..at + len])
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).ok())
        .collect()
}

/// (socket, request bytes, pk fields) of every request line.
fn requests(file: &Path) -> Vec<(String, Vec<u8>)> {
    let text = fs::read_to_string(file).unwrap_or_default();
    text.lines()
        .filter(|l| field(l, "dir") == Some("request"))
        .filter_map(|l| Some((field(l, "socket")?.to_string(), unhex(field(l, "hex")?)?)))
        .collect()
}

fn pks(file: &Path) -> Vec<Vec<u8>> {
    let text = fs::read_to_string(file).unwrap_or_default();
    text.lines()
        .filter_map(|l| unhex(field(l, "pk")?))
        .collect()
}

/// Frames of a pcap file (classic format, either byte order).
fn frames(file: &Path) -> Vec<Vec<u8>> {
    let Ok(b) = fs::read(file) else {
        return Vec::new();
    };
    if b.len() < 24 {
        return Vec::new();
    }
    let le = b[..4] == [0xd4, 0xc3, 0xb2, 0xa1];
    let u32_at = |i: usize| {
        let w = [b[i], b[i + 1], b[i + 2], b[i + 3]];
        if le {
            u32::from_le_bytes(w)
        } else {
            u32::from_be_bytes(w)
        }
    };
    let mut out = Vec::new();
    let mut at = 24;
    while at + 16 <= b.len() {
        let n = u32_at(at + 8) as usize;
        let start = at + 16;
        let Some(frame) = b.get(start..start + n) else {
            break;
        };
        out.push(frame.to_vec());
        at = start + n;
    }
    out
}

/// The SDU a shim carries in `frame`: after the udp4 endpoint id, the
/// eth-dix endpoint id and length, or the 802.2 LLC header.
fn sdu(shim: &str, frame: &[u8]) -> Option<Vec<u8>> {
    match shim {
        "udp4" => {
            let ihl = usize::from(frame.get(14)? & 0x0f) * 4;
            frame.get(14 + ihl + 8 + 4..).map(<[u8]>::to_vec)
        }
        "eth-dix" => {
            let len = usize::from(u16::from_be_bytes([*frame.get(16)?, *frame.get(17)?]));
            frame.get(18..18 + len).map(<[u8]>::to_vec)
        }
        "eth-llc" => {
            let len = usize::from(u16::from_be_bytes([*frame.get(12)?, *frame.get(13)?]));
            frame.get(17..14 + len).map(<[u8]>::to_vec)
        }
        _ => None,
    }
}

/// (category, SDU) of the frames of one capture.
fn sdus(net: &Path, capture: &str) -> Vec<(String, Vec<u8>)> {
    let frames = frames(&net.join(format!("{capture}.pcap")));
    let text = fs::read_to_string(net.join(format!("{capture}.packets.jsonl"))).unwrap_or_default();
    text.lines()
        .filter_map(|l| {
            let no: usize = l
                .split("\"no\": ")
                .nth(1)?
                .split(',')
                .next()?
                .parse()
                .ok()?;
            let frame = frames.get(no.checked_sub(1)?)?;
            Some((field(l, "cat")?.to_string(), sdu(field(l, "shim")?, frame)?))
        })
        .collect()
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() != 4 {
        eprintln!("usage: seeds <vectors dir> <repository dir> <corpus dir>");
        std::process::exit(2);
    }
    let (vectors, repo) = (Path::new(&args[1]), Path::new(&args[2]));
    let mut c = Corpus {
        dir: PathBuf::from(&args[3]),
        written: 0,
    };

    // control messages, in capture order, in chunks
    let mut irm_files: Vec<PathBuf> = fs::read_dir(vectors.join("irm"))
        .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    irm_files.retain(|p| p.extension().is_some_and(|e| e == "jsonl"));
    irm_files.sort();
    let mut all_pks = Vec::new();
    for file in &irm_files {
        let stem = file
            .file_stem()
            .unwrap_or_default()
            .to_string_lossy()
            .to_string();
        let reqs = requests(file);
        for (socket, target) in [("irm", "irm_msg"), ("ipcp", "ipcp_msg")] {
            let msgs: Vec<&Vec<u8>> = reqs
                .iter()
                .filter(|r| r.0 == socket)
                .map(|r| &r.1)
                .collect();
            for (i, chunk) in msgs.chunks(CHUNK).enumerate() {
                let mut seed = Vec::new();
                for m in chunk {
                    push_record(&mut seed, 0, m);
                }
                c.put(target, &format!("{stem}-{i}"), &seed);
            }
        }
        all_pks.extend(pks(file));
    }
    all_pks.sort();
    all_pks.dedup();

    // OAP headers: requests (36 bytes) and responses (84), each mode
    for (i, pk) in all_pks.iter().take(24).enumerate() {
        for mode in 0..4u8 {
            let mut seed = vec![mode, 0, 0, 0, 0];
            seed.extend_from_slice(pk);
            c.put("oap", &format!("{i}-{mode}"), &seed);
        }
    }

    // the network captures: cep_msg and FRCT packets
    let net = vectors.join("net");
    for capture in ["udp4", "eth_dix", "eth_llc", "broadcast"] {
        let sdus = sdus(&net, capture);
        for (i, (_, s)) in sdus.iter().filter(|s| s.0 == "cacep").enumerate() {
            c.put("cep", &format!("{capture}-{i}"), s);
        }
        // DT PCI (15 bytes) first, then FRCT PCI and payload
        let mut frct = vec![0x01];
        let mut frct_nortx = vec![0x80];
        for (_, s) in sdus.iter().filter(|s| s.0 == "data" || s.0 == "frct-ack") {
            if let Some(p) = s.get(15..) {
                push_record(&mut frct, 0, p);
                push_record(&mut frct_nortx, 0, p);
                push_record(&mut frct, 3, &[]);
                push_record(&mut frct, 2, &[0, 0, 0x10, 0]);
            }
        }
        c.put("frct", capture, &frct);
        c.put("frct", &format!("{capture}-nortx"), &frct_nortx);
    }

    // the UDP shim: whole datagrams, endpoint id included
    for (i, f) in frames(&net.join("udp4.pcap")).iter().enumerate().take(40) {
        let ipv4_udp = f.get(12..14) == Some(&[8, 0][..]) && f.get(23) == Some(&17);
        let ihl = f.get(14).map_or(0, |v| usize::from(v & 0x0f) * 4);
        if let Some(d) = f.get(14 + ihl + 8..).filter(|_| ipv4_udp) {
            c.put("shim_wire", &format!("udp4-{i}"), &[&[0u8][..], d].concat());
        }
    }
    // the unicast layer's SDUs: DT PDUs (PCI of 15 bytes by default),
    // flow allocator and DHT messages inside them, LSAs
    for capture in ["udp4", "eth_dix", "eth_llc"] {
        for (i, (cat, s)) in sdus(&net, capture).iter().enumerate() {
            let body = s.get(15..).unwrap_or_default();
            let seeds: Vec<(u8, Vec<u8>)> = match cat.as_str() {
                "data" | "frct-ack" => vec![(0, s.clone())],
                "flow-alloc" => vec![(0, s.clone()), (1, body.to_vec())],
                "dht" => {
                    let mut to_node = 0x0a00_0003u64.to_be_bytes().to_vec();
                    to_node.extend_from_slice(body);
                    vec![(0, s.clone()), (3, body.to_vec()), (4, to_node)]
                }
                "lsa" => vec![(2, s.clone())],
                _ => vec![],
            };
            for (sel, seed) in seeds {
                c.put("unicast_wire", &format!("{capture}-{i}-{sel}"), &[&[sel][..], &seed].concat());
            }
        }
    }
    for (sel, capture) in [(1u8, "eth_dix"), (2, "eth_llc")] {
        for (i, f) in frames(&net.join(format!("{capture}.pcap"))).iter().enumerate().take(30) {
            c.put("shim_wire", &format!("{capture}-{i}"), &[&[sel][..], f].concat());
        }
    }

    // configuration files
    for (mode, file) in [(0u8, "irmd.conf.example.in"), (1, "enc.conf.example.in")] {
        if let Ok(text) = fs::read(repo.join("dist").join(file)) {
            let mut seed = vec![mode];
            seed.extend_from_slice(&text);
            c.put("config", file, &seed);
        }
    }
    for (i, text) in [
        "[local.loc1]\nbootstrap = \"local.layer\"\nreg = [\"oping\"]\n",
        "[name.a]\nprog = [\"/bin/true\"]\nargs = [\"-x y\"]\nlb = \"spill\"\n",
        "[unicast.u]\nenrol = \"n\"\nconn = [\"x\"]\nautobind = true\n",
        "[udp4.u]\nbootstrap = \"u\"\nip = \"127.0.0.1\"\nport = 3435\ndns = \"10.0.0.1\"\n",
        "[eth-dix.e]\nbootstrap = \"e\"\ndev = \"lo\"\nethertype = 0xA001\nhash = \"SHA3_224\"\n",
    ]
    .iter()
    .enumerate()
    {
        let mut seed = vec![0u8];
        seed.extend_from_slice(text.as_bytes());
        c.put("config", &format!("snippet-{i}"), &seed);
    }

    // shared memory: per object kind, an empty run and a short honest
    // exchange (see fuzz_targets/ssm.rs for the opcodes)
    for kind in 0..3u8 {
        c.put(
            "ssm",
            &format!("kind-{kind}"),
            &[kind, 0, 0, 0, 0, 0, 0, 0, 0],
        );
    }
    let pool: &[&[u8]] = &[
        &[0],
        &[3, 0, 25, 0],                        // alloc 100 bytes
        &[3, 0, 0, 1],                         // alloc 1024 bytes
        &[4, 1, 200, 0, 1],                    // alloc_b 800 bytes, 1 ms
        &[5, 0, 0, 0, 0, 16, 0, 0],            // get the first, head_alloc 16
        &[5, 2, 0, 0, 0, 8, 0, 5, 1, 2, 3, 4], // get the second, write
        &[9],                                  // count the free blocks
        &[6, 0, 0, 0, 0],                      // remove the first
        &[7, 0],                               // reclaim our own
        &[9],
    ];
    let rbuff: &[&[u8]] = &[
        &[1],
        &[1, 0, 16, 0, 0], // write 4096
        &[1, 0, 32, 0, 0], // write 8192
        &[2, 0],           // read
        &[3, 1, 1],        // read_b, 1 ms
        &[3, 1, 1],        // read_b on the empty ring
        &[6, 2],           // flow down
        &[5, 1],           // fini
    ];
    let set: &[&[u8]] = &[
        &[2],
        &[1, 3, 5, 0],    // add flow 5 to fqueue 3
        &[5, 5, 0, 1, 2], // notify flow 5, FLOW_PKT, 3 times
        &[3, 3, 5, 0],    // has
        &[6, 3, 0],       // wait on fqueue 3
        &[2, 3, 5, 0],    // del
        &[4, 3],          // zero
        &[6, 3, 1],       // wait on the empty fqueue, 1 ms
    ];
    for (name, ops) in [("pool", pool), ("rbuff", rbuff), ("set", set)] {
        c.put("ssm", name, &ops.concat());
    }

    println!("{} seeds written to {}", c.written, c.dir.display());
}
