//! The link-state graph and route computation (spec §5.7), following
//! upstream's graph.c so that C and Rust nodes pick the same next hops:
//!
//! * vertices are kept sorted by address, and Dijkstra takes the first
//!   unvisited vertex with the smallest distance in that order;
//! * a vertex's edges are scanned most recently added first;
//! * an edge is usable only when both ends announced it;
//! * every hop costs 1.

/// Route computation policies (the `ls` policy value of the bootstrap).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Algo {
    /// One next hop per destination (`link_state`, 0).
    Simple,
    /// Primary next hop plus loop-free alternates (`lfa`, 1).
    Lfa,
    /// Every neighbour on a shortest path (`ecmp`, 2).
    Ecmp,
}

impl Algo {
    pub fn from_pol(pol: u32) -> Option<Algo> {
        match pol {
            0 => Some(Algo::Simple),
            1 => Some(Algo::Lfa),
            2 => Some(Algo::Ecmp),
            _ => None,
        }
    }
}

/// Next hops towards one destination, first is preferred.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Route {
    pub dst: u64,
    pub nhops: Vec<u64>,
}

#[derive(Clone, Debug)]
struct Edge {
    nb: u64,
    /// How many of the two directions have been announced.
    announced: u32,
}

#[derive(Clone, Debug)]
struct Vertex {
    addr: u64,
    /// Newest first.
    edges: Vec<Edge>,
}

/// Undirected adjacencies between addresses, with per-direction
/// announcement counts.
#[derive(Clone, Debug, Default)]
pub struct Graph {
    vertices: Vec<Vertex>,
}

/// Distances (hops) from one source, by vertex index; `None` unreachable.
type Dist = Vec<Option<u32>>;

impl Graph {
    pub fn new() -> Graph {
        Graph::default()
    }

    /// Number of vertices.
    pub fn len(&self) -> usize {
        self.vertices.len()
    }

    pub fn is_empty(&self) -> bool {
        self.vertices.is_empty()
    }

    fn index(&self, addr: u64) -> Option<usize> {
        self.vertices.binary_search_by_key(&addr, |v| v.addr).ok()
    }

    fn ensure(&mut self, addr: u64) {
        if let Err(pos) = self.vertices.binary_search_by_key(&addr, |v| v.addr) {
            let v = Vertex {
                addr,
                edges: Vec::new(),
            };
            self.vertices.insert(pos, v);
        }
    }

    fn edge_mut(&mut self, from: u64, to: u64) -> Option<&mut Edge> {
        let i = self.index(from)?;
        self.vertices[i].edges.iter_mut().find(|e| e.nb == to)
    }

    fn announce(&mut self, from: u64, to: u64) {
        if let Some(e) = self.edge_mut(from, to) {
            e.announced += 1;
        } else if let Some(i) = self.index(from) {
            let e = Edge {
                nb: to,
                announced: 1,
            };
            self.vertices[i].edges.insert(0, e);
        }
    }

    fn withdraw(&mut self, from: u64, to: u64) {
        let Some(i) = self.index(from) else { return };
        let edges = &mut self.vertices[i].edges;
        if let Some(p) = edges.iter().position(|e| e.nb == to) {
            edges[p].announced = edges[p].announced.saturating_sub(1);
            if edges[p].announced == 0 {
                edges.remove(p);
            }
        }
    }

    /// Records the announcement of `s_addr -> d_addr` (called once per new
    /// LSDB entry). The adjacency becomes usable once `d_addr -> s_addr`
    /// is announced too.
    pub fn update_edge(&mut self, s_addr: u64, d_addr: u64) {
        self.ensure(s_addr);
        self.ensure(d_addr);
        self.announce(s_addr, d_addr);
        self.announce(d_addr, s_addr);
    }

    /// Undoes one [`Graph::update_edge`]; vertices left without edges go.
    /// False if the adjacency is unknown.
    pub fn del_edge(&mut self, s_addr: u64, d_addr: u64) -> bool {
        let known = |g: &mut Graph, a, b| g.edge_mut(a, b).is_some();
        if !known(self, s_addr, d_addr) || !known(self, d_addr, s_addr) {
            return false;
        }
        self.withdraw(s_addr, d_addr);
        self.withdraw(d_addr, s_addr);
        self.vertices.retain(|v| !v.edges.is_empty());
        true
    }

    /// True when both directions of `a -- b` are announced.
    pub fn usable(&self, a: u64, b: u64) -> bool {
        self.index(a)
            .and_then(|i| self.vertices[i].edges.iter().find(|e| e.nb == b))
            .is_some_and(|e| e.announced == 2)
    }

    /// Hop counts from `src` and, per vertex, the index of the neighbour
    /// of `src` the first shortest path found leaves through.
    fn dijkstra(&self, src: u64) -> (Dist, Vec<Option<usize>>) {
        let n = self.vertices.len();
        let mut dist: Dist = vec![None; n];
        let mut nhop = vec![None; n];
        let mut used = vec![false; n];
        if let Some(s) = self.index(src) {
            dist[s] = Some(0);
        }
        loop {
            let mut min: Option<(usize, u32)> = None;
            for (i, d) in dist.iter().enumerate() {
                match (used[i], *d, min) {
                    (false, Some(d), None) => min = Some((i, d)),
                    (false, Some(d), Some((_, m))) if d < m => min = Some((i, d)),
                    _ => {}
                }
            }
            let Some((i, d)) = min else { break };
            used[i] = true;
            let v = &self.vertices[i];
            for e in v.edges.iter().filter(|e| e.announced == 2) {
                let Some(j) = self.index(e.nb) else { continue };
                let alt = d + 1;
                if dist[j].is_none_or(|x| alt < x) {
                    dist[j] = Some(alt);
                    nhop[j] = if v.addr == src { Some(j) } else { nhop[i] };
                }
            }
        }
        (dist, nhop)
    }

    /// The routing table of `src`, destinations in address order. `None`
    /// where upstream fails and leaves the forwarding table untouched:
    /// fewer than two vertices, or (ECMP) `src` not in the graph.
    pub fn routing_table(&self, algo: Algo, src: u64) -> Option<Vec<Route>> {
        if self.vertices.len() < 2 {
            return None;
        }
        match algo {
            Algo::Simple => Some(self.simple(src).0),
            Algo::Lfa => Some(self.lfa(src)),
            Algo::Ecmp => self.ecmp(src),
        }
    }

    fn simple(&self, src: u64) -> (Vec<Route>, Dist) {
        let (dist, nhop) = self.dijkstra(src);
        let table = self
            .vertices
            .iter()
            .zip(&nhop)
            .filter_map(|(v, h)| {
                h.map(|h| Route {
                    dst: v.addr,
                    nhops: vec![self.vertices[h].addr],
                })
            })
            .collect();
        (table, dist)
    }

    /// Neighbours of `src` over all its edges (announced both ways or
    /// not, as upstream), each with its index and distances.
    fn neighbour_dists(&self, src: u64) -> Vec<(u64, usize, Dist)> {
        let Some(s) = self.index(src) else {
            return Vec::new();
        };
        self.vertices[s]
            .edges
            .iter()
            .filter_map(|e| Some((e.nb, self.index(e.nb)?, self.dijkstra(e.nb).0)))
            .collect()
    }

    /// Neighbour n is an alternate for d when
    /// dist(n, d) < dist(n, src) + dist(src, d). The primary passes too,
    /// so it appears again after itself. Sums with an unreachable term
    /// never pass (upstream's int arithmetic wraps negative there).
    fn lfa(&self, src: u64) -> Vec<Route> {
        let (mut table, dist) = self.simple(src);
        let nbs = self.neighbour_dists(src);
        for (vi, v) in self.vertices.iter().enumerate() {
            if v.addr == src {
                continue;
            }
            for (nb, ni, nd) in &nbs {
                if *nb == v.addr {
                    continue;
                }
                let ok = match (nd[vi], dist[*ni], dist[vi]) {
                    (Some(a), Some(b), Some(c)) => a < b + c,
                    _ => false,
                };
                if ok {
                    if let Some(r) = table.iter_mut().find(|r| r.dst == v.addr) {
                        r.nhops.push(*nb);
                    }
                }
            }
        }
        table
    }

    /// Every neighbour n with dist(n, d) + 1 = dist(src, d).
    fn ecmp(&self, src: u64) -> Option<Vec<Route>> {
        self.index(src)?;
        let (dist, _) = self.dijkstra(src);
        let mut fwd: Vec<Vec<u64>> = vec![Vec::new(); self.vertices.len()];
        for (nb, _, nd) in self.neighbour_dists(src) {
            for (i, (a, b)) in nd.iter().zip(&dist).enumerate() {
                if let (Some(a), Some(b)) = (a, b) {
                    if a + 1 == *b {
                        fwd[i].push(nb);
                    }
                }
            }
        }
        let table = self
            .vertices
            .iter()
            .zip(fwd)
            .filter(|(v, f)| v.addr != src && !f.is_empty())
            .map(|(v, nhops)| Route { dst: v.addr, nhops })
            .collect();
        Some(table)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Both directions of each link, as two LSDB entries would.
    fn graph(links: &[(u64, u64)]) -> Graph {
        let mut g = Graph::new();
        for &(a, b) in links {
            g.update_edge(a, b);
            g.update_edge(b, a);
        }
        g
    }

    fn table(g: &Graph, algo: Algo, src: u64) -> Vec<(u64, Vec<u64>)> {
        g.routing_table(algo, src)
            .expect("a table")
            .into_iter()
            .map(|r| (r.dst, r.nhops))
            .collect()
    }

    #[test]
    fn chain_of_three() {
        let g = graph(&[(1, 2), (2, 3)]);
        for algo in [Algo::Simple, Algo::Ecmp] {
            assert_eq!(table(&g, algo, 1), [(2, vec![2]), (3, vec![2])]);
            assert_eq!(table(&g, algo, 2), [(1, vec![1]), (3, vec![3])]);
            assert_eq!(table(&g, algo, 3), [(1, vec![2]), (2, vec![2])]);
        }
        // the only neighbour is also its own alternate
        assert_eq!(table(&g, Algo::Lfa, 1), [(2, vec![2]), (3, vec![2, 2])]);
    }

    #[test]
    fn one_direction_is_not_a_link() {
        let mut g = Graph::new();
        g.update_edge(1, 2);
        assert!(!g.usable(1, 2));
        assert_eq!(table(&g, Algo::Simple, 1), []);
        g.update_edge(2, 1);
        assert!(g.usable(2, 1));
        assert_eq!(table(&g, Algo::Simple, 1), [(2, vec![2])]);
        assert!(g.del_edge(2, 1));
        assert!(!g.usable(1, 2));
        assert!(g.del_edge(1, 2));
        assert!(g.is_empty());
        assert!(!g.del_edge(1, 2));
    }

    #[test]
    fn too_small_or_unknown_source() {
        let g = Graph::new();
        assert_eq!(g.routing_table(Algo::Simple, 1), None);
        let g = graph(&[(1, 2)]);
        assert_eq!(table(&g, Algo::Simple, 9), []);
        assert_eq!(table(&g, Algo::Lfa, 9), []);
        assert_eq!(g.routing_table(Algo::Ecmp, 9), None);
    }

    /// Ring 1-2-3-4-5-1.
    fn ring() -> Graph {
        graph(&[(1, 2), (2, 3), (3, 4), (4, 5), (5, 1)])
    }

    #[test]
    fn ring_simple() {
        let g = ring();
        assert_eq!(
            table(&g, Algo::Simple, 1),
            [(2, vec![2]), (3, vec![2]), (4, vec![5]), (5, vec![5])]
        );
    }

    #[test]
    fn ring_lfa() {
        // from 1: dist 2->4 is 2 < dist(2,1) + dist(1,4) = 1 + 2, so 2 is
        // an alternate for 4; 5 is one for 3 likewise
        let g = ring();
        assert_eq!(
            table(&g, Algo::Lfa, 1),
            [
                (2, vec![2]),
                (3, vec![2, 5, 2]),
                (4, vec![5, 5, 2]),
                (5, vec![5])
            ]
        );
    }

    #[test]
    fn even_ring_ecmp() {
        // square 1-2-3-4-1: 3 is two hops away both ways
        let g = graph(&[(1, 2), (2, 3), (3, 4), (4, 1)]);
        assert_eq!(
            table(&g, Algo::Ecmp, 1),
            [(2, vec![2]), (3, vec![4, 2]), (4, vec![4])]
        );
        // simple: vertex 2 is visited before 4 (address order), so it
        // reaches 3 first and wins the tie
        assert_eq!(
            table(&g, Algo::Simple, 1),
            [(2, vec![2]), (3, vec![2]), (4, vec![4])]
        );
    }

    #[test]
    fn ties_follow_address_order_and_edge_age() {
        // 10 reaches 40 through 20 or 30, both two hops; 20 is visited
        // first (lower address) and relaxes 40 first
        let g = graph(&[(10, 30), (10, 20), (30, 40), (20, 40)]);
        assert_eq!(table(&g, Algo::Simple, 10)[2], (40, vec![20]));
        // ECMP lists neighbours in the source's edge order: newest first
        assert_eq!(table(&g, Algo::Ecmp, 10)[2], (40, vec![20, 30]));
    }

    #[test]
    fn unreachable_destinations_are_left_out() {
        let mut g = graph(&[(1, 2), (3, 4)]);
        g.update_edge(2, 3); // half-announced: no path to 3 or 4
        for algo in [Algo::Simple, Algo::Lfa, Algo::Ecmp] {
            assert_eq!(table(&g, algo, 1), [(2, vec![2])], "{algo:?}");
        }
        assert_eq!(g.len(), 4);
    }
}
