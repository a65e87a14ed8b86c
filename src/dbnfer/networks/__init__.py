"""The neural networks, each module beside the paper it follows.

activations   σ and softplus, shared by every layer
sgd           momentum SGD with weight decay: the velocity form, and the fused heavy-ball step
rbm           restricted Boltzmann machines (Bernoulli and Gaussian visible units), CD-k and PCD
ais           an RBM's log partition function (and so its log-likelihood) by annealed importance sampling
dbn           deep belief networks (greedy stacked RBMs) and DBNClassifier (DBN + fine-tuned MLP)
mlp           the multi-layer perceptron, backpropagation (BP1-BP4), dropout, early stopping
"""
