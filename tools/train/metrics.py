"""Scores of predicted probabilities p [n, classes] against integer labels y [n]: the figures every
training stage and the model card report."""
import numpy as np


def accuracy(p, y):
    return float(np.mean(np.asarray(p).argmax(1) == np.asarray(y)))


def logloss(p, y):
    """Mean negative log-probability of the true class (probabilities floored at 1e-12)."""
    y = np.asarray(y)
    return float(-np.mean(np.log(np.maximum(p[np.arange(len(y)), y], 1e-12))))
