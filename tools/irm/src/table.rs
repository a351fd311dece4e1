//! The tables printed by `irm ipcp list` and `irm name list`.

use crate::util::rpad;
use ouroboros::ipcp::{IpcpListInfo, IpcpType};
use ouroboros::name::{lb_name, NameInfo};

const IPCP_BORDER: &str =
    "+---------+----------------------+------------+----------------------+\n";
const NAME_BORDER: &str =
    "+----------------------------------------------------+----------------------+\n";

fn ipcp_row(pid: &str, name: &str, kind: &str, layer: &str) -> String {
    format!(
        "| {} | {} | {} | {} |\n",
        rpad(pid, 7),
        rpad(name, 20),
        rpad(kind, 10),
        rpad(layer, 20)
    )
}

/// Type name as listed; `UNKNOWN` for a value outside the enumeration.
pub fn type_name(t: u32) -> &'static str {
    IpcpType::from_u32(t).map_or("UNKNOWN", IpcpType::name)
}

/// The IPCP table, followed by an empty line.
pub fn ipcps(list: &[IpcpListInfo]) -> String {
    let mut s = String::from(IPCP_BORDER);
    s += &ipcp_row("pid", "name", "type", "layer");
    s += IPCP_BORDER;
    for i in list {
        s += &ipcp_row(
            &i.pid.to_string(),
            &i.name,
            type_name(i.ipcp_type),
            &i.layer,
        );
    }
    s += IPCP_BORDER;
    s + "\n"
}

fn name_row(name: &str, policy: &str) -> String {
    format!("| {} | {} |\n", rpad(name, 50), rpad(policy, 20))
}

/// The name table: the rows `keep` accepts, no empty line after it.
pub fn names(list: &[NameInfo], keep: impl Fn(&NameInfo) -> bool) -> String {
    let mut s = String::from(NAME_BORDER);
    s += &name_row("name", "load-balance policy");
    s += NAME_BORDER;
    for n in list.iter().filter(|n| keep(n)) {
        s += &name_row(&n.name, lb_name(n.pol_lb));
    }
    s + NAME_BORDER
}

#[cfg(test)]
mod tests {
    use super::*;
    use ouroboros::name::{LB_INVALID, LB_RR, LB_SPILL};

    fn info(pid: i32, t: u32, name: &str, layer: &str) -> IpcpListInfo {
        IpcpListInfo {
            pid,
            ipcp_type: t,
            name: name.into(),
            layer: layer.into(),
            hash_algo: 1,
        }
    }

    #[test]
    fn ipcp_table_layout() {
        let list = [
            info(38, 0, "lo", "lo"),
            info(1234567, 1, "a-very-long-ipcp-name-x", "Not enrolled."),
            info(-5, 9, "", ""),
        ];
        let want = "\
+---------+----------------------+------------+----------------------+
|     pid |                 name |       type |                layer |
+---------+----------------------+------------+----------------------+
|      38 |                   lo |      local |                   lo |
| 1234567 | a-very-long-ipcp-name-x |    unicast |        Not enrolled. |
|      -5 |                      |    UNKNOWN |                      |
+---------+----------------------+------------+----------------------+

";
        assert_eq!(ipcps(&list), want);
    }

    #[test]
    fn ipcp_type_names() {
        let names: Vec<_> = (0..8).map(type_name).collect();
        assert_eq!(
            names,
            [
                "local",
                "unicast",
                "broadcast",
                "eth-llc",
                "eth-dix",
                "udp4",
                "udp6",
                "UNKNOWN"
            ]
        );
    }

    #[test]
    fn name_table_layout() {
        let list = [
            NameInfo::new("oping.srv", LB_RR),
            NameInfo::new("n1", LB_SPILL),
            NameInfo::new("bad", LB_INVALID),
        ];
        let want = "\
+----------------------------------------------------+----------------------+
|                                               name |  load-balance policy |
+----------------------------------------------------+----------------------+
|                                          oping.srv |          round-robin |
|                                                 n1 |            spillover |
|                                                bad |              UNKNOWN |
+----------------------------------------------------+----------------------+
";
        assert_eq!(names(&list, |_| true), want);
        let empty = names(&list, |_| false);
        assert_eq!(empty.lines().count(), 4);
        assert!(!empty.ends_with("\n\n"));
    }
}
