//! Test helper, run inside a private system: writes raw values into the
//! receive ring of `<pid>` for flow `<id>` and tells the process, as a
//! misbehaving peer would. Usage: o7s-ring-poke <pid> <id> <value>...

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (Some(pid), Some(id)) = (
        args.get(1).and_then(|a| a.parse().ok()),
        args.get(2).and_then(|a| a.parse().ok()),
    ) else {
        eprintln!("usage: o7s-ring-poke <pid> <flow id> <value>...");
        std::process::exit(2);
    };
    let ring = ouroboros::ssm::Rbuff::open(pid, id).expect("open rbuff");
    let set = ouroboros::ssm::FlowSet::open(pid).expect("open flow set");
    for v in &args[3..] {
        let v: i64 = v.parse().expect("a number");
        ring.write(v as usize).expect("write");
        set.notify(id, ouroboros::ssm::FLOW_PKT);
    }
}
