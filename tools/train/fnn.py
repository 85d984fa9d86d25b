"""Seed 002: feed-forward net on the 57 standardised summary features."""
import numpy as np
import torch
import torch.nn as nn

from metrics import accuracy, logloss

HIDDEN = (256, 128, 64)
DROPOUT = 0.3
LR = 1e-3
WEIGHT_DECAY = 1e-4
BATCH = 32


class FNN(nn.Module):
    def __init__(self, n_in, n_out, dropout=DROPOUT):
        super().__init__()
        layers, d = [], n_in
        for h in HIDDEN:
            layers += [nn.Linear(d, h), nn.ReLU(), nn.Dropout(dropout)]
            d = h
        layers.append(nn.Linear(d, n_out))
        self.net = nn.Sequential(*layers)

    def forward(self, x):
        return self.net(x)


def standardiser(X):
    mean = X.mean(axis=0)
    std = X.std(axis=0)
    std = np.where(std > 0, std, 1.0)
    return mean.astype(np.float32), std.astype(np.float32)


def train(X, y, n_classes, epochs, seed, Xval=None, yval=None, dropout=DROPOUT, wd=WEIGHT_DECAY,
          lr=LR, noise=0.0, smoothing=0.0):
    """X raw features (float64). Returns (model, mean, std, history) where history[e] =
    (val_logloss, val_acc, val_probs) after epoch e+1 when validation data is given."""
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    mean, std = standardiser(X)
    Xn = torch.from_numpy(((X - mean) / std).astype(np.float32))
    yt = torch.from_numpy(np.asarray(y, dtype=np.int64))
    model = FNN(X.shape[1], n_classes, dropout)
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=wd)
    loss_fn = nn.CrossEntropyLoss(label_smoothing=smoothing)
    hist = []
    Xv = torch.from_numpy(((Xval - mean) / std).astype(np.float32)) if Xval is not None else None
    for _ in range(epochs):
        model.train()
        perm = rng.permutation(len(Xn))
        for i in range(0, len(perm), BATCH):
            idx = torch.from_numpy(perm[i:i + BATCH])
            opt.zero_grad()
            xb = Xn[idx]
            if noise > 0:  # Gaussian input noise: a cheap regulariser for ~900 tabular rows
                xb = xb + noise * torch.randn_like(xb)
            loss = loss_fn(model(xb), yt[idx])
            loss.backward()
            opt.step()
        if Xv is not None:
            model.eval()
            with torch.no_grad():
                p = torch.softmax(model(Xv), dim=1).numpy()
            hist.append((logloss(p, yval), accuracy(p, yval), p))
    model.eval()
    return model, mean, std, hist


def export_layers(model):
    """-> engine layer list (float): dense+relu x3, dense, softmax."""
    out = []
    lin = [m for m in model.net if isinstance(m, nn.Linear)]
    for i, m in enumerate(lin):
        out.append({"kind": "dense", "weight": m.weight.detach().numpy().astype(np.float32),
                    "bias": m.bias.detach().numpy().astype(np.float32),
                    "act": "relu" if i < len(lin) - 1 else "none"})
    out.append({"kind": "softmax"})
    return out
