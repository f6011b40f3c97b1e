// The lecture: one numbered step per idea of the TwoNN/Gride lesson (Doimo & Glielmo's slides),
// each with one caption saying what to look at and the two charts beside the data; `gride`: the
// step shows the Gride circles; `noise`: stepping forward into it with noise-free data sets this σ;
// `labels`: the points are coloured by their label (the half of the manifold they lie on) and a
// clicked point shows its neighbourhood overlap with it; `density`: the points are coloured by their
// PAk log density with the density peaks and the saddles between them (stepping forward into it
// switches to `manifold`).

export const STEPS = [
  {
    title: 'Neighbours',
    caption: 'Every point has nearest neighbours. Click a point: its first neighbour lies at distance r₁, its second at r₂.',
    charts: ['mu', 'cdf'],
  },
  {
    title: 'μ = r₂/r₁',
    caption: 'Two distances around the same point: in their ratio the local density cancels, so only the dimension is left in it.',
    charts: ['mu', 'cdf'],
  },
  {
    title: 'Distribution of μ',
    caption: 'Over all points μ follows the Pareto law p(μ|d) = d·μ^−(d+1): the higher the dimension d, the closer μ stays to 1.',
    charts: ['mu', 'cdf'],
  },
  {
    title: 'The fit',
    caption: '−ln(1 − F(μ)) = d·ln μ: a line through the origin whose slope is the ID (the largest 10 % of μ left out). Maximum likelihood: d = (N − 1)/Σ ln μ.',
    charts: ['cdf', 'mu'],
  },
  {
    title: 'Noise',
    caption: 'Add noise: at the smallest scales the noise is full-dimensional, so TwoNN overestimates the ID (a noisy curve looks 2-D, a noisy roll 3-D).',
    charts: ['mu', 'cdf'],
    noise: 0.02,
  },
  {
    title: 'Gride',
    caption: 'Gride uses μ = r₂ₙ/rₙ, the n-th and 2n-th neighbours: a larger scale, beyond the noise. Raise n and the ID comes back down to the manifold’s.',
    charts: ['gride', 'mu'],
    gride: true,
  },
  {
    title: 'ID vs N',
    caption: 'Decimation: TwoNN on N, N/2, N/4 … points, so at growing distances. Trust the ID where it is stable; with noise it falls as the scale grows past σ.',
    charts: ['decimation', 'cdf'],
  },
  {
    title: 'Labels',
    caption: 'Colour the points by a label: here the half of the manifold they lie on. Click a point: χ is the share of its 10 nearest neighbours with its label; averaged over the points (each half weighing the same) it is the neighbourhood overlap with the labels, χ^gt. Only near the border do the halves mix; add noise and they mix more.',
    charts: ['mu', 'cdf'],
    labels: true,
  },
  {
    title: 'Density peaks',
    caption: 'Colour by the density log ρ (PAk, over each point’s adaptive k* neighbours): dense regions are bright. Each density peak whose top stands Z errors above the saddle to its neighbour is a cluster (large rings; saddles: crosses). Raise Z and the weaker peaks merge.',
    charts: ['mu', 'cdf'],
    density: true,
    manifold: 'blobs',
  },
];
