//! crr's sandwich variance of the Fine–Gray estimate, with prefix and suffix sums
//! (see the parent module).

use super::setup::{Setup, Work};

impl Setup {
    /// crr's sandwich variance `H⁻¹ (Σ r r') H⁻¹` at `b` (`hinv` = H⁻¹).
    pub(super) fn sandwich(&self, b: &[f64], hinv: &[f64], wk: &mut Work) -> Vec<f64> {
        let (p, m, ng) = (self.p, self.u.len(), self.ng);
        self.set_e(b, wk);
        self.risk_sums(wk);
        // Z̄ at failure time k, component j
        let zbar = |k: usize, j: usize| wk.s1[k * p + j] / wk.s0[k];
        // Prefix sums over failure times (index k = number of failure times included).
        let mut a0 = vec![0.0; m + 1];
        let mut a1 = vec![0.0; (m + 1) * p];
        for k in 0..m {
            let h = self.du[k] / wk.s0[k];
            a0[k + 1] = a0[k] + h;
            for j in 0..p {
                a1[(k + 1) * p + j] = a1[k * p + j] + h * zbar(k, j);
            }
        }
        // Suffix sums from failure index k on, per group: with all failures (C, for the
        // dΛ part of η) and with the group's own failures (K, for ψ).
        let mut c0 = vec![vec![0.0; m + 1]; ng];
        let mut c1 = vec![vec![0.0; (m + 1) * p]; ng];
        let mut k0 = vec![vec![0.0; m + 1]; ng];
        let mut k1 = vec![vec![0.0; (m + 1) * p]; ng];
        for g in 0..ng {
            for k in (0..m).rev() {
                let hc = self.du[k] * self.gu[k * ng + g] / wk.s0[k];
                let hk = self.dug[k * ng + g] * self.gu[k * ng + g] / wk.s0[k];
                c0[g][k] = c0[g][k + 1] + hc;
                k0[g][k] = k0[g][k + 1] + hk;
                for j in 0..p {
                    let zb = zbar(k, j);
                    c1[g][k * p + j] = c1[g][(k + 1) * p + j] + hc * zb;
                    k1[g][k * p + j] = k1[g][(k + 1) * p + j] + hk * zb;
                }
            }
        }
        let nle = &self.nle;
        // ψ: q_g(c) at censoring times, and the running Ψ_g.
        let mut psi_run = vec![0.0; ng * p];
        let mut pq_p = vec![0.0; ng * p]; // P_g: Σ_{t<c, ε=2} e Z / w
        let mut pq_q = vec![0.0; ng]; // Q_g: Σ e / w
        let mut next_row = 0; // rows before it are included in P, Q
        let mut ci = 0;
        let mut q_at = vec![0.0; ng * p];
        let mut y_at = vec![1.0; ng];
        let mut v2 = vec![0.0; p * p];
        let mut rrow = vec![0.0; p];
        let mut a = 0;
        while a < self.n {
            let mut bb = a;
            while bb < self.n && self.t[bb] == self.t[a] {
                bb += 1;
            }
            // Censorings at this time: q_g(t) and the update of Ψ_g.
            if ci < self.cens_row.len() && self.cens_row[ci] == a {
                while next_row < a {
                    if self.eps[next_row] == 2 {
                        let g = self.grp[next_row];
                        let v = wk.e[next_row] / self.w[next_row];
                        pq_q[g] += v;
                        for j in 0..p {
                            pq_p[g * p + j] += v * self.zrow(next_row)[j];
                        }
                    }
                    next_row += 1;
                }
                // Failure times >= t: index = number of failure times < t.
                let kfirst = self.u.partition_point(|&x| x < self.t[a]);
                for g in 0..ng {
                    for j in 0..p {
                        q_at[g * p + j] =
                            pq_p[g * p + j] * k0[g][kfirst] - pq_q[g] * k1[g][kfirst * p + j];
                    }
                    let (nc, y) = self.cens[ci * ng + g];
                    if nc > 0.0 {
                        for j in 0..p {
                            psi_run[g * p + j] -= nc * q_at[g * p + j] / (y * y);
                        }
                    }
                }
                for g in 0..ng {
                    y_at[g] = self.cens[ci * ng + g].1;
                }
                ci += 1;
            }
            for r in a..bb {
                let g = self.grp[r];
                let z = self.zrow(r);
                let k = nle[r];
                let e = wk.e[r];
                for j in 0..p {
                    let mut v = -e * (z[j] * a0[k] - a1[k * p + j]);
                    if self.eps[r] == 1 {
                        // Z̄ at its own failure time (index k - 1).
                        v += z[j] - wk.s1[(k - 1) * p + j] / wk.s0[k - 1];
                    } else if self.eps[r] == 2 {
                        v -= e / self.w[r] * (z[j] * c0[g][k] - c1[g][k * p + j]);
                    }
                    v += psi_run[g * p + j];
                    if self.eps[r] == 0 {
                        // q_g and the number at risk at this (censoring) time.
                        v += q_at[g * p + j] / y_at[g];
                    }
                    rrow[j] = v;
                }
                for i in 0..p {
                    for j in 0..=i {
                        v2[i * p + j] += rrow[i] * rrow[j];
                    }
                }
            }
            a = bb;
        }
        for i in 0..p {
            for j in 0..i {
                v2[j * p + i] = v2[i * p + j];
            }
        }
        // H⁻¹ V2 H⁻¹.
        crate::linalg::sandwich(hinv, &v2, p)
    }
}
